// @k_proj with f16 weights: another signature than the bf16 one.
func.func @k_proj(%x: memref<1x64xbf16>, %w: memref<64x32xf16>, %y: memref<1x32xf32>) {
  return
}
