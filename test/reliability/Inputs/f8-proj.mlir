// An element type with no run-time representation in the interpreter.
func.func @f8_proj(%x: memref<1x64xf8E4M3FN>, %w: memref<64x32xf8E4M3FN>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xf8E4M3FN>, memref<64x32xf8E4M3FN>) outs(%y : memref<1x32xf32>)
  return
}
