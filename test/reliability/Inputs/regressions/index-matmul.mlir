// TOOL: qkv-opt
// ARGS: --cube-matmul
// FOUND: an unhelpful error ("could not build the operation: AssertionError:"), now named
func.func @p(%x: memref<1x64xindex>, %w: memref<64x32xindex>, %y: memref<1x32xindex>) {
  linalg.matmul ins(%x, %w : memref<1x64xindex>, memref<64x32xindex>) outs(%y : memref<1x32xindex>)
  return
}
