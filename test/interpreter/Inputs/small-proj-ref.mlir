// linalg.matmul references of the small projections in ../cube-sequence.mlir and
// ../mismatch.mlir: y += x @ w with bf16 inputs extended to f32.

func.func @cube_proj(%x: memref<1x128xbf16>, %w: memref<128x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x128xbf16>, memref<128x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

func.func @aiv_proj(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

func.func @missing_transpose(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

func.func @wrong_offset(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

func.func @other_signature(%x: memref<1x64xbf16>, %w: memref<64x16xbf16>, %y: memref<1x16xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x16xbf16>) outs(%y : memref<1x16xf32>)
  return
}
