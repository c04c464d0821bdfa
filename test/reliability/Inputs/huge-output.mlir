// C of 10^11 f32 elements (400 GB): M = 100,000, N = 1,000,000, K = 64.
func.func @huge_out(%x: memref<100000x64xbf16>, %w: memref<64x1000000xbf16>, %y: memref<100000x1000000xf32>) {
  linalg.matmul ins(%x, %w : memref<100000x64xbf16>, memref<64x1000000xbf16>) outs(%y : memref<100000x1000000xf32>)
  return
}
