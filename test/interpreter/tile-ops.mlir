// Each tile op against an independent scalar implementation (scf loops,
// memref.load / memref.store, arith) in Inputs/tile-ops-ref.mlir: same function
// names, same seeded inputs, every memref argument compared afterwards.  The
// tolerance is tight (no element may differ by more than 1e-5 + 1e-5 * |x|):
// only the sums (row_sum, matmul) add in another order than the scalar loops.
// RUN: qkv-run %s --all-entries --reference %S/Inputs/tile-ops-ref.mlir --atol 1e-5 --rtol 1e-5 --max-error-ratio 0 | filecheck %s
// The reference executor reaches the same verdicts.
// RUN: qkv-run %s --all-entries --reference %S/Inputs/tile-ops-ref.mlir --atol 1e-5 --rtol 1e-5 --max-error-ratio 0 --executor reference | filecheck %s

// CHECK: @load_store: {{.*}} ops
// CHECK: @load_store: passed against
func.func @load_store(%x: memref<4x64xf32>, %y: memref<2x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %t = tile.load %x[%c1, %c16] : memref<4x64xf32> -> !tile.tile<2x16xf32, ub>
  tile.store %t, %y[%c0, %c16] : !tile.tile<2x16xf32, ub> -> memref<2x32xf32>
  return
}

// CHECK: @cast_bf16_f32: passed against
func.func @cast_bf16_f32(%x: memref<4x16xbf16>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<4x16xbf16> -> !tile.tile<4x16xbf16, ub>
  %f = tile.cast %t : !tile.tile<4x16xbf16, ub> -> !tile.tile<4x16xf32, ub>
  tile.store %f, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>
  return
}

// CHECK: @cast_f32_bf16: passed against
func.func @cast_f32_bf16(%x: memref<4x16xf32>, %y: memref<4x16xbf16>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>
  %b = tile.cast %t : !tile.tile<4x16xf32, ub> -> !tile.tile<4x16xbf16, ub>
  tile.store %b, %y[%c0, %c0] : !tile.tile<4x16xbf16, ub> -> memref<4x16xbf16>
  return
}

// CHECK: @transpose: passed against
func.func @transpose(%x: memref<16x8xf32>, %y: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<16x8xf32> -> !tile.tile<16x8xf32, ub>
  %u = tile.transpose %t : !tile.tile<16x8xf32, ub> -> !tile.tile<8x16xf32, ub>
  tile.store %u, %y[%c0, %c0] : !tile.tile<8x16xf32, ub> -> memref<8x16xf32>
  return
}

// CHECK: @col_expand_mul_add: passed against
func.func @col_expand_mul_add(%x: memref<4x16xf32>, %r: memref<1x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>
  %row = tile.load %r[%c0, %c0] : memref<1x16xf32> -> !tile.tile<1x16xf32, ub>
  %rows = tile.col_expand %row : !tile.tile<1x16xf32, ub> -> !tile.tile<4x16xf32, ub>
  %m = tile.mul %a, %rows : !tile.tile<4x16xf32, ub>
  %cm = tile.col_expand_mul %a, %row : !tile.tile<4x16xf32, ub>, !tile.tile<1x16xf32, ub> -> !tile.tile<4x16xf32, ub>
  %s = tile.add %m, %cm : !tile.tile<4x16xf32, ub>
  tile.store %s, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>
  return
}

// row_sum's col_major [16, 1] reshaped to a row_major [1, 16]: element order kept.
// CHECK: @row_sum_reshape: passed against
func.func @row_sum_reshape(%x: memref<16x64xf32>, %y: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32, ub>
  %s = tile.row_sum %t : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
  %r = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
  tile.store %r, %y[%c0, %c0] : !tile.tile<1x16xf32, ub> -> memref<1x16xf32>
  return
}

// CHECK: @full_extract_insert: passed against
func.func @full_extract_insert(%x: memref<4x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %t = tile.load %x[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>
  %e = tile.extract %t[%c1, %c8] : !tile.tile<4x16xf32, ub> -> !tile.tile<2x8xf32, ub>
  %z = tile.full 1.5 : !tile.tile<4x16xf32, ub>
  %i = tile.insert %e into %z[%c0, %c0] : !tile.tile<2x8xf32, ub> into !tile.tile<4x16xf32, ub>
  tile.store %i, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>
  return
}

// valid(2, 5): only the top-left 2x5 of the tile comes from GM (the rest is 0),
// and only the top-left 3x7 of a full tile goes back.
// CHECK: @load_store_valid: passed against
func.func @load_store_valid(%x: memref<4x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %p = tile.load %x[%c0, %c0] valid(%c2, %c5) : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %p, %y[%c0, %c0] valid(%c3, %c7) : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>
  return
}

// CHECK: @store_atomic_add: passed against
func.func @store_atomic_add(%x: memref<2x16xf32>, %y: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<2x16xf32> -> !tile.tile<2x16xf32, ub>
  tile.store %t, %y[%c0, %c0] atomic add : !tile.tile<2x16xf32, ub> -> memref<2x16xf32>
  return
}

// L1 -> L0A / L0B at offsets, matmul then matmul_acc, store from L0C.
// CHECK: @move_matmul_acc: passed against
func.func @move_matmul_acc(%a: memref<16x32xbf16>, %b: memref<32x16xbf16>, %c: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %a1 = tile.load %a[%c0, %c0] : memref<16x32xbf16> -> !tile.tile<16x32xbf16, l1>
  %b1 = tile.load %b[%c0, %c0] : memref<32x16xbf16> -> !tile.tile<32x16xbf16, l1>
  %a_lo = tile.move %a1[%c0, %c0] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %b_lo = tile.move %b1[%c0, %c0] : !tile.tile<32x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
  %a_hi = tile.move %a1[%c0, %c16] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %b_hi = tile.move %b1[%c16, %c0] : !tile.tile<32x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
  %p0 = tile.matmul %a_lo, %b_lo : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  %p1 = tile.matmul_acc %p0, %a_hi, %b_hi : !tile.tile<16x16xf32, l0c>, !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  tile.store %p1, %c[%c0, %c0] : !tile.tile<16x16xf32, l0c> -> memref<16x16xf32>
  return
}

// CHECK-NOT: MISMATCH
