// Qwen3-14B decode layer at batch 16: the K and V projections.
//   k[16, 1024] += x[16, 5120] @ wk[5120, 1024]
//   v[16, 1024] += x[16, 5120] @ wv[5120, 1024]

func.func @k_proj(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<16x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<16x1024xf32>)
  return
}

func.func @v_proj(%x: memref<16x5120xbf16>, %wv: memref<5120x1024xbf16>, %v: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %wv : memref<16x5120xbf16>, memref<5120x1024xbf16>) outs(%v : memref<16x1024xf32>)
  return
}
