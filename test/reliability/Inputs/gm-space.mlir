// GM memrefs spelled with DESIGN.md's #tile.space<gm>.
func.func @k_proj(%x: memref<1x64xbf16, #tile.space<gm>>, %w: memref<64x32xbf16, #tile.space<gm>>, %y: memref<1x32xf32, #tile.space<gm>>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16, #tile.space<gm>>, memref<64x32xbf16, #tile.space<gm>>) outs(%y : memref<1x32xf32, #tile.space<gm>>)
  return
}
