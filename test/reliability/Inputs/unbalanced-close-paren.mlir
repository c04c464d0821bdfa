func.func @k_proj(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xf32>)
  return
)
