// RUN: qkv-opt --check-target=target=ascend950 --split-input-file --verify-diagnostics %s
// RUN: not qkv-opt --check-target --split-input-file %s 2>&1 | filecheck %s --check-prefix=A2
// RUN: qkv-opt --memory-report --target ascend950 --split-input-file %s | filecheck %s --check-prefix=REPORT

// Where the rules of Ascend950 differ from A2/A3 (910B): bf16 vector arithmetic
// (pto-isa a5/TAdd.hpp), no row_sum tmp (docs/isa/TROWSUM.md), 240 KiB of usable UB.
// The same chunks on ascend910b (the A2 prefix) fail.

// bf16 add: legal on 950, not on 910B.
// A2: error: 'tile.add' op tile<16x64xbf16>: bf16 vector arithmetic (add) is not supported on ascend910b
func.func @bf16_add(%x: memref<16x64xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16, ub>
    %s = tile.add %a, %a : !tile.tile<16x64xbf16, ub>
    %m = tile.mul %s, %a : !tile.tile<16x64xbf16, ub>
  }
  func.return
}

// -----

// Row reductions still reject bf16 on 950 (a5/TRowReduce.hpp).
// A2: error: 'tile.row_sum' op tile<16x64xbf16>: bf16 row reduction (row_sum) is not supported on ascend910b
func.func @bf16_row_sum(%x: memref<16x64xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16, ub>
    // expected-error @+1 {{bf16 row reduction (row_sum) is not supported on ascend950: it accepts f16, f32, i16, i32 (pto-isa TRowReduceOps.hpp); cast to f32 first with tile.cast}}
    %r = tile.row_sum %a : !tile.tile<16x64xbf16, ub> -> !tile.tile<16x1xbf16, ub, col_major>
  }
  func.return
}

// -----

// The batch-16 form at kc = 1024 fits on 950: no row_sum tmp, 240 KiB usable.
// A2: error: 'tile.task' op ub overflow in task "k_proj_b16": peak 263232 B > 188416 B usable on ascend910b
// REPORT-LABEL: task "k_proj_b16" (vector)
// REPORT-NEXT: ub: peak 197,696 B of 245,760 B usable (80.4%), fits

func.func @k_proj_b16(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    tile.task vector "k_proj_b16" {
      %acc0 = tile.load %k[%c0, %n0] : memref<16x1024xf32> -> !tile.tile<16x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<16x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<16x5120xbf16> -> !tile.tile<16x1024xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<16x1024xbf16, ub> -> !tile.tile<16x1024xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %a_out = scf.for %n = %c0 to %c16 step %c1 iter_args(%an = %a) -> (!tile.tile<16x16xf32, ub>) {
          %w_row = tile.extract %w_t[%n, %c0] : !tile.tile<16x1024xf32, ub> -> !tile.tile<1x1024xf32, ub>
          %prod = tile.col_expand_mul %x_f32, %w_row : !tile.tile<16x1024xf32, ub>, !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
          %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
          %an1 = tile.insert %part into %an[%c0, %n] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
          scf.yield %an1 : !tile.tile<16x16xf32, ub>
        }
        scf.yield %a_out : !tile.tile<16x16xf32, ub>
      }
      tile.store %acc, %k[%c0, %n0] : !tile.tile<16x16xf32, ub> -> memref<16x1024xf32>
    }
    scf.reduce
  }
  func.return
}

// -----

// Batch 1 at kc = 2048 overflows on 950 too.
// A2: error: 'tile.task' op ub overflow in task "k_proj": peak 270400 B > 188416 B usable on ascend910b
// REPORT-LABEL: task "k_proj" (vector)
// REPORT-NEXT: ub: peak 270,400 B of 245,760 B usable (110.0%), OVERFLOW by 24,640 B

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 2048 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    // expected-error @+1 {{ub overflow in task "k_proj": peak 270400 B > 245760 B usable on ascend950}}
    tile.task vector "k_proj" {
      %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x2048xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<1x2048xbf16, ub> -> !tile.tile<1x2048xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<2048x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<2048x16xbf16, ub> -> !tile.tile<2048x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<2048x16xf32, ub> -> !tile.tile<16x2048xf32, ub>
        %x_rows = tile.col_expand %x_f32 : !tile.tile<1x2048xf32, ub> -> !tile.tile<16x2048xf32, ub>
        %prod = tile.mul %w_t, %x_rows : !tile.tile<16x2048xf32, ub>
        %part = tile.row_sum %prod : !tile.tile<16x2048xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a_next = tile.add %a, %part_row : !tile.tile<1x16xf32, ub>
        scf.yield %a_next : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %k[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  func.return
}
