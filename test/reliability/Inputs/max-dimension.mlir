// 2^63 - 1 elements per row: the largest dimension MLIR has; it parses and
// lowers (to loops over index constants), but qkv-run cannot make the inputs.
func.func @max_dim(%x: memref<1x9223372036854775807xf32>, %w: memref<9223372036854775807x16xf32>, %y: memref<1x16xf32>) {
  linalg.matmul ins(%x, %w : memref<1x9223372036854775807xf32>, memref<9223372036854775807x16xf32>) outs(%y : memref<1x16xf32>)
  return
}
