// RUN: qkv-opt --check-target --split-input-file --verify-diagnostics %s
// RUN: qkv-opt --memory-report --split-input-file %s | filecheck %s
// RUN: not qkv-opt --check-target --split-input-file %s 2>&1 | filecheck %s --check-prefix=ERR

// Calibration of the UB budget on the reference kernel (pypto-lib PR #586): the
// F1.2 batch-1 AIV form with nv = 16 fits at kc = 1024 and overflows at kc = 2048
// ("270 KB > 188 KB"); the batch-16 form fits at kc = 512 (the PR's first
// version) and overflows at kc = 1024.  Accounting: docs/memory-plan.md.

// Batch 1, kc = 1024: the peak is at the transpose, W f32 64 KiB + its transpose
// 64 KiB + the f32 x row 4 KiB + the accumulator 64 B.
// CHECK-LABEL: task "k_proj" (vector)
// CHECK-NEXT: ub: peak 135,232 B of 188,416 B usable (71.8%), fits; at point 6 ('tile.transpose') live: %w_f32 65536 B, %w_t 65536 B, %x_f32 4096 B, %acc0 64 B

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    tile.task vector "k_proj" {
      %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
        %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
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

// -----

// Batch 1, kc = 2048: the same live set is twice as large, 264 KiB + 64 B.
// CHECK-LABEL: task "k_proj" (vector)
// CHECK-NEXT: ub: peak 270,400 B of 188,416 B usable (143.5%), OVERFLOW by 81,984 B; at point 6 ('tile.transpose')
// ERR: error: 'tile.task' op ub overflow in task "k_proj": peak 270400 B > 188416 B usable on ascend910b

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 2048 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    // expected-error @+1 {{ub overflow in task "k_proj": peak 270400 B > 188416 B usable on ascend910b; live at the peak (point 6, 'tile.transpose'; 4 buffers, 270400 B): %w_f32 tile<2048x16xf32> ('tile.cast') 131072 B, %w_t tile<16x2048xf32> ('tile.transpose') 131072 B, %x_f32 tile<1x2048xf32> ('tile.cast') 8192 B, %acc0 tile<1x16xf32> ('tile.load') 64 B; fix: the live tiles must shrink by 81984 B}}
    tile.task vector "k_proj" {
      // expected-note @+1 {{live at the peak: %acc0 (also %a, %a_next, %acc): tile<1x16xf32> in ub, 64 B at offset 270336, live over points 0..14}}
      %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x2048xbf16, ub>
        // expected-note @+1 {{live at the peak: %x_f32: tile<1x2048xf32> in ub, 8192 B}}
        %x_f32 = tile.cast %x_blk : !tile.tile<1x2048xbf16, ub> -> !tile.tile<1x2048xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<2048x16xbf16, ub>
        // expected-note @+1 {{live at the peak: %w_f32: tile<2048x16xf32> in ub, 131072 B}}
        %w_f32 = tile.cast %w_blk : !tile.tile<2048x16xbf16, ub> -> !tile.tile<2048x16xf32, ub>
        // expected-note @+2 {{the ub peak of task "k_proj" is at point 6 ('tile.transpose')}}
        // expected-note @+1 {{live at the peak: %w_t (also %prod): tile<16x2048xf32> in ub, 131072 B}}
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

// -----

// Batch 16, kc = 512: the peak is at the row_sum inside the column loop: x f32,
// the transposed W block, the product and row_sum's tmp (32 KiB each), the
// [16, 16] accumulator and the [16, 1] partial sum.
// CHECK-LABEL: task "k_proj_b16" (vector)
// CHECK-NEXT: ub: peak 132,160 B of 188,416 B usable (70.1%), fits; at point 10 ('tile.row_sum') live: %x_f32 32768 B, %w_t 32768 B, %prod 32768 B, scratch of %part 32768 B, %acc0 1024 B, %part 64 B

func.func @k_proj_b16(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 512 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    tile.task vector "k_proj_b16" {
      %acc0 = tile.load %k[%c0, %n0] : memref<16x1024xf32> -> !tile.tile<16x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<16x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<16x5120xbf16> -> !tile.tile<16x512xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<16x512xbf16, ub> -> !tile.tile<16x512xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<512x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<512x16xbf16, ub> -> !tile.tile<512x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<512x16xf32, ub> -> !tile.tile<16x512xf32, ub>
        %a_out = scf.for %n = %c0 to %c16 step %c1 iter_args(%an = %a) -> (!tile.tile<16x16xf32, ub>) {
          %w_row = tile.extract %w_t[%n, %c0] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x512xf32, ub>
          %prod = tile.col_expand_mul %x_f32, %w_row : !tile.tile<16x512xf32, ub>, !tile.tile<1x512xf32, ub> -> !tile.tile<16x512xf32, ub>
          %part = tile.row_sum %prod : !tile.tile<16x512xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
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

// Batch 16, kc = 1024: 4 x 64 KiB at the row_sum, with row_sum's tmp.
// CHECK-LABEL: task "k_proj_b16" (vector)
// CHECK-NEXT: ub: peak 263,232 B of 188,416 B usable (139.7%), OVERFLOW by 74,816 B; at point 10 ('tile.row_sum')

func.func @k_proj_b16(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    // expected-error @+1 {{ub overflow in task "k_proj_b16": peak 263232 B > 188416 B usable on ascend910b}}
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
          // expected-note @+2 {{the ub peak of task "k_proj_b16" is at point 10 ('tile.row_sum')}}
          // expected-note @+1 {{live at the peak: scratch of %part: row_sum's tmp, the size of its input (tile<16x1024xf32>) in ub, 65536 B}}
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
