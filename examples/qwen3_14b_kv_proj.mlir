// Qwen3-14B decode layer, batch 1: the K and V projections.
//   k[1, 1024] += x[1, 5120] @ wk[5120, 1024]   (8 KV heads x head_dim 128)
//   v[1, 1024] += x[1, 5120] @ wv[5120, 1024]
// bf16 activations and weights, f32 accumulation and output.  Upstream MLIR
// syntax: mlir-opt-22 parses and verifies this file as it is.
//
//   qkv-opt --aiv-rowsum qwen3_14b_kv_proj.mlir -o kv_aiv.mlir
//   qkv-run kv_aiv.mlir --entry k_proj --reference qwen3_14b_kv_proj.mlir

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

func.func @v_proj(%x: memref<1x5120xbf16>, %wv: memref<5120x1024xbf16>, %v: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %wv : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%v : memref<1x1024xf32>)
  return
}
