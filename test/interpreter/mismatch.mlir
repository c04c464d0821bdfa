// Deliberately wrong lowerings must be reported as mismatches by --reference.
// With a square 16x16 W block both mistakes still verify:
// * @missing_transpose multiplies the W block itself, not its transpose, so each
//   row sum adds a row of W (one k) instead of a column (one output n);
// * @wrong_offset loads every task's W block from column 0 instead of %n0.
// @aiv_proj is the correct program, to show the reference agrees with it.
//
// RUN: qkv-run %s --entry aiv_proj --reference %S/Inputs/small-proj-ref.mlir | filecheck %s --check-prefix=OK
// OK: @aiv_proj: passed against
//
// RUN: not qkv-run %s --entry missing_transpose --reference %S/Inputs/small-proj-ref.mlir > %t.out 2> %t.err
// RUN: filecheck %s --check-prefix=TRANSPOSE < %t.out
// RUN: filecheck %s --check-prefix=TRANSPOSE-ERR < %t.err
// TRANSPOSE:     arg #2 %y    memref<1x32xf32> {{.*}} MISMATCH
// TRANSPOSE:     @missing_transpose: FAILED against
// TRANSPOSE-ERR: mismatch.mlir:{{[0-9]+}}:1: error: @missing_transpose argument #2 %y (memref<1x32xf32>) differs from the reference {{.*}}small-proj-ref.mlir: {{[0-9,]+}} of 32 elements beyond atol + rtol * |expected| (allowed 1); max abs error
// TRANSPOSE-ERR-NEXT: func.func @missing_transpose(
//
// RUN: not qkv-run %s --entry wrong_offset --reference %S/Inputs/small-proj-ref.mlir --json 2> %t.err | %python %S/Inputs/check_run_json.py | filecheck %s --check-prefix=OFFSET
// RUN: filecheck %s --check-prefix=OFFSET-ERR < %t.err
// OFFSET:     entry=wrong_offset passed=False reference=yes
// OFFSET:     arg 0 shape=[1, 64] dtype=bf16 numel=64 passed=True
// OFFSET:     arg 2 shape=[1, 32] dtype=f32 numel=32 passed=False
// OFFSET-ERR: error: @wrong_offset argument #2 %y (memref<1x32xf32>) differs from the reference

func.func @aiv_proj(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n0) = (%c0) to (%c32) step (%c16) {
    tile.task vector "aiv_proj" {
      %acc0 = tile.load %y[%c0, %n0] : memref<1x32xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %xb = tile.load %x[%c0, %k0] : memref<1x64xbf16> -> !tile.tile<1x16xbf16, ub>
        %xf = tile.cast %xb : !tile.tile<1x16xbf16, ub> -> !tile.tile<1x16xf32, ub>
        %wb = tile.load %w[%k0, %n0] : memref<64x32xbf16> -> !tile.tile<16x16xbf16, ub>
        %wf = tile.cast %wb : !tile.tile<16x16xbf16, ub> -> !tile.tile<16x16xf32, ub>
        %wt = tile.transpose %wf : !tile.tile<16x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %xr = tile.col_expand %xf : !tile.tile<1x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %p = tile.mul %wt, %xr : !tile.tile<16x16xf32, ub>
        %s = tile.row_sum %p : !tile.tile<16x16xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %sr = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a1 = tile.add %a, %sr : !tile.tile<1x16xf32, ub>
        scf.yield %a1 : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x32xf32>
    }
    scf.reduce
  }
  return
}

func.func @missing_transpose(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n0) = (%c0) to (%c32) step (%c16) {
    tile.task vector "missing_transpose" {
      %acc0 = tile.load %y[%c0, %n0] : memref<1x32xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %xb = tile.load %x[%c0, %k0] : memref<1x64xbf16> -> !tile.tile<1x16xbf16, ub>
        %xf = tile.cast %xb : !tile.tile<1x16xbf16, ub> -> !tile.tile<1x16xf32, ub>
        %wb = tile.load %w[%k0, %n0] : memref<64x32xbf16> -> !tile.tile<16x16xbf16, ub>
        %wf = tile.cast %wb : !tile.tile<16x16xbf16, ub> -> !tile.tile<16x16xf32, ub>
        %xr = tile.col_expand %xf : !tile.tile<1x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %p = tile.mul %wf, %xr : !tile.tile<16x16xf32, ub>
        %s = tile.row_sum %p : !tile.tile<16x16xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %sr = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a1 = tile.add %a, %sr : !tile.tile<1x16xf32, ub>
        scf.yield %a1 : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x32xf32>
    }
    scf.reduce
  }
  return
}

func.func @wrong_offset(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n0) = (%c0) to (%c32) step (%c16) {
    tile.task vector "wrong_offset" {
      %acc0 = tile.load %y[%c0, %n0] : memref<1x32xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %xb = tile.load %x[%c0, %k0] : memref<1x64xbf16> -> !tile.tile<1x16xbf16, ub>
        %xf = tile.cast %xb : !tile.tile<1x16xbf16, ub> -> !tile.tile<1x16xf32, ub>
        %wb = tile.load %w[%k0, %c0] : memref<64x32xbf16> -> !tile.tile<16x16xbf16, ub>
        %wf = tile.cast %wb : !tile.tile<16x16xbf16, ub> -> !tile.tile<16x16xf32, ub>
        %wt = tile.transpose %wf : !tile.tile<16x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %xr = tile.col_expand %xf : !tile.tile<1x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %p = tile.mul %wt, %xr : !tile.tile<16x16xf32, ub>
        %s = tile.row_sum %p : !tile.tile<16x16xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %sr = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a1 = tile.add %a, %sr : !tile.tile<1x16xf32, ub>
        scf.yield %a1 : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x32xf32>
    }
    scf.reduce
  }
  return
}
