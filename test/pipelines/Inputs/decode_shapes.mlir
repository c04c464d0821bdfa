// Real decode-layer K/V projections beyond Qwen3-14B (facts F1): K = 4096, N = 1024
// (Qwen3-8B, Llama-3-8B, Mistral-7B) and K = 3584, N = 512 (Qwen2.5-7B, K not a
// multiple of 1024), at several batches and input types.

// Llama-3-8B K, batch 1, bf16.
func.func @llama3_8b_k_b1(%x: memref<1x4096xbf16>, %w: memref<4096x1024xbf16>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x4096xbf16>, memref<4096x1024xbf16>) outs(%y : memref<1x1024xf32>)
  return
}

// Qwen2.5-7B K, batch 1, bf16, zero-filled output (C = A * B).
func.func @qwen25_7b_k_b1(%x: memref<1x3584xbf16>, %w: memref<3584x512xbf16>, %y: memref<1x512xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x512xf32>)
  linalg.matmul ins(%x, %w : memref<1x3584xbf16>, memref<3584x512xbf16>) outs(%y : memref<1x512xf32>)
  return
}

// Qwen2.5-7B V, batch 16, bf16.
func.func @qwen25_7b_v_b16(%x: memref<16x3584xbf16>, %w: memref<3584x512xbf16>, %y: memref<16x512xf32>) {
  linalg.matmul ins(%x, %w : memref<16x3584xbf16>, memref<3584x512xbf16>) outs(%y : memref<16x512xf32>)
  return
}

// Mistral-7B K, batch 5, f16.
func.func @mistral_7b_k_b5_f16(%x: memref<5x4096xf16>, %w: memref<4096x1024xf16>, %y: memref<5x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<5x4096xf16>, memref<4096x1024xf16>) outs(%y : memref<5x1024xf32>)
  return
}

// Qwen3-8B V, batch 3, f32.
func.func @qwen3_8b_v_b3_f32(%x: memref<3x4096xf32>, %w: memref<4096x1024xf32>, %y: memref<3x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<3x4096xf32>, memref<4096x1024xf32>) outs(%y : memref<3x1024xf32>)
  return
}
