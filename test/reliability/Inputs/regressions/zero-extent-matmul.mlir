// TOOL: qkv-opt
// ARGS: --aiv-rowsum
// FOUND: internal error (VerifyException: tile dimensions must be positive, got 0 in a 0x1 tile)
func.func @z(%x: memref<0x64xbf16>, %w: memref<64x32xbf16>, %y: memref<0x32xf32>) {
  linalg.matmul ins(%x, %w : memref<0x64xbf16>, memref<64x32xbf16>) outs(%y : memref<0x32xf32>)
  return
}
