// TOOL: qkv-run
// ARGS: --reference {reference}
// FOUND: internal error (UnsupportedType: no run-time representation for element type f8E4M3FN)
func.func @proj(%x: memref<1x64xf8E4M3FN>, %w: memref<64x32xf8E4M3FN>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xf8E4M3FN>, memref<64x32xf8E4M3FN>) outs(%y : memref<1x32xf32>)
  return
}
