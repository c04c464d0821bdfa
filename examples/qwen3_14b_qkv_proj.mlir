// Qwen3-14B decode layer, batch 1: Q, K and V projections in one function.
// Q (N = 5120, 40 heads x 128) stays on the cube (tile.unit = "cube"); K and V
// (N = 1024) suit the vector cores, beside the cube busy with Q:
//
//   qkv-opt -p aiv-rowsum,cube-matmul qwen3_14b_qkv_proj.mlir

func.func @qkv_proj(%x: memref<1x5120xbf16>,
                    %wq: memref<5120x5120xbf16>, %wk: memref<5120x1024xbf16>, %wv: memref<5120x1024xbf16>,
                    %q: memref<1x5120xf32>, %k: memref<1x1024xf32>, %v: memref<1x1024xf32>) {
  linalg.matmul {tile.unit = "cube"} ins(%x, %wq : memref<1x5120xbf16>, memref<5120x5120xbf16>) outs(%q : memref<1x5120xf32>)
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  linalg.matmul ins(%x, %wv : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%v : memref<1x1024xf32>)
  return
}
