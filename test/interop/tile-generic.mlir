// Tile IR in the generic form is accepted and verified by upstream mlir-opt-22
// (as unregistered ops), and mlir-opt's re-printed form reads back in qkv-opt.
// REQUIRES: mlir-opt
// RUN: qkv-opt %s --print-op-generic | mlir-opt-22 --allow-unregistered-dialect --verify-each --mlir-print-op-generic | qkv-opt | filecheck %s
// RUN: qkv-opt %s --print-op-generic | mlir-opt-22 --allow-unregistered-dialect | qkv-opt | filecheck %s

// CHECK-LABEL: func.func @k_proj_block
// CHECK: tile.task vector "k_proj" {
// CHECK: tile.row_sum %{{.*}} : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
// CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] valid(%{{.*}}, %{{.*}}) atomic add : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
func.func @k_proj_block(%x: memref<1x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%n0) = (%c0) to (%c16) step (%c16) {
    tile.task vector "k_proj" {
      %x_blk = tile.load %x[%c0, %c0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
      %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
      %w_blk = tile.load %w[%c0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
      %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
      %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
      %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
      %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
      tile.store %part_row, %y[%c0, %n0] valid(%c1, %c16) atomic add : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  return
}
