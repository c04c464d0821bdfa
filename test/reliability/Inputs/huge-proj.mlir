// W of 102,400,000,000 bf16 elements (204.8 GB): K = 10^8, N = 1024, batch 16.
// The lowerings only need the shape; qkv-run refuses before allocating anything.
func.func @huge_proj(%x: memref<16x100000000xbf16>, %w: memref<100000000x1024xbf16>, %y: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<16x100000000xbf16>, memref<100000000x1024xbf16>) outs(%y : memref<16x1024xf32>)
  return
}
