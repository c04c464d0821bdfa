func.func @f(%x: memref<1x64xbf16>, %w: memref<32x16xbf16>, %y: memref<1x16xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<32x16xbf16>) outs(%y : memref<1x16xf32>)
  return
}
