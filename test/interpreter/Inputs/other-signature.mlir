// @scale with another signature than two-functions.mlir's: --reference refuses it.
func.func @scale(%x: memref<2x8xf32>, %y: memref<2x8xf32>) {
  return
}
