func.func @k_proj(%x: memref<1x64xbf16>, %y: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj_0" {
    %x_blk = tile.load %x[%c0, %c0] : memref<1x64xbf16> -> !tile.tile<1x64xbf16, ub>
    %x_f32 = tile.cast %x_blk : !tile.tile<1x64xbf16, ub> -> !tile.tile<1x64xf32, u
