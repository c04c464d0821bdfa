// The cube sequence end to end (F1.1 in small): y[1, 32] += x[1, 128] @ w[128, 32]
// as 4 split-K cube tasks of 32: x's row loaded to L1 padded to the 16 rows the
// cube needs (valid(1, 32)), moved to L0A / L0B in chunks of 16, one matmul then
// matmul_acc, and the partial sums stored to GM with an atomic add.  The tasks
// add into the same y, so the fast executor must run them one after another.
// RUN: qkv-run %s --reference %S/Inputs/small-proj-ref.mlir --entry cube_proj --stats | filecheck %s
// CHECK:      arg #2 %y    memref<1x32xf32> {{.*}} ok
// CHECK-NEXT: @cube_proj: passed against
// CHECK:      cube               8
// CHECK:      tasks: 4 cube
// CHECK-NEXT: scf.parallel: 0 run batched, 1 fell back to one iteration at a time
// CHECK:        gm->l1
// CHECK:        l0c->gm          512 B
// CHECK:        l1->l0a
// CHECK:        l1->l0b

func.func @cube_proj(%x: memref<1x128xbf16>, %w: memref<128x32xbf16>, %y: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%s0) = (%c0) to (%c128) step (%c32) {
    tile.task cube "cube_proj" {
      %a1 = tile.load %x[%c0, %s0] valid(%c1, %c32) : memref<1x128xbf16> -> !tile.tile<16x32xbf16, l1>
      %b1 = tile.load %w[%s0, %c0] : memref<128x32xbf16> -> !tile.tile<32x32xbf16, l1>
      %a_lo = tile.move %a1[%c0, %c0] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
      %b_lo = tile.move %b1[%c0, %c0] : !tile.tile<32x32xbf16, l1> -> !tile.tile<16x32xbf16, l0b>
      %p0 = tile.matmul %a_lo, %b_lo : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x32xbf16, l0b> -> !tile.tile<16x32xf32, l0c>
      %a_hi = tile.move %a1[%c0, %c16] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
      %b_hi = tile.move %b1[%c16, %c0] : !tile.tile<32x32xbf16, l1> -> !tile.tile<16x32xbf16, l0b>
      %p1 = tile.matmul_acc %p0, %a_hi, %b_hi : !tile.tile<16x32xf32, l0c>, !tile.tile<16x16xbf16, l0a>, !tile.tile<16x32xbf16, l0b> -> !tile.tile<16x32xf32, l0c>
      tile.store %p1, %y[%c0, %c0] valid(%c1, %c32) atomic add : !tile.tile<16x32xf32, l0c> -> memref<1x32xf32>
    }
    scf.reduce
  }
  return
}
