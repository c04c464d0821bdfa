// TOOL: qkv-run
// ARGS: --all-entries --executor fast
// FOUND: internal error (ValueError: could not broadcast input array from shape (2,0) into shape (3,0)): a tile.load or tile.store whose valid region is empty but whose offsets reach past the memref
func.func @v0(%x: memref<3x200xbf16>, %y: memref<3x200xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  tile.task vector "t" {
    %a = tile.load %x[%c1, %c1] valid(%c3, %c0) : memref<3x200xbf16> -> !tile.tile<16x64xbf16, ub>
    %b = tile.load %x[%c5, %c1] valid(%c0, %c3) : memref<3x200xbf16> -> !tile.tile<16x64xbf16, ub>
    %f = tile.cast %a : !tile.tile<16x64xbf16, ub> -> !tile.tile<16x64xf32, ub>
    tile.store %f, %y[%c1, %c1] valid(%c3, %c0) : !tile.tile<16x64xf32, ub> -> memref<3x200xf32>
    tile.store %f, %y[%c5, %c5] valid(%c0, %c0) : !tile.tile<16x64xf32, ub> -> memref<3x200xf32>
  }
  return
}
func.func @v0p(%x: memref<3x200xbf16>, %y: memref<3x200xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    tile.task vector "t" {
      %r = arith.muli %i, %c2 : index
      %vr = arith.subi %c2, %i : index
      %v = arith.maxsi %vr, %c0 : index
      %a = tile.load %x[%r, %c16] valid(%v, %c16) : memref<3x200xbf16> -> !tile.tile<16x64xbf16, ub>
      %f = tile.cast %a : !tile.tile<16x64xbf16, ub> -> !tile.tile<16x64xf32, ub>
      tile.store %f, %y[%r, %c16] valid(%v, %c16) : !tile.tile<16x64xf32, ub> -> memref<3x200xf32>
    }
    scf.reduce
  }
  return
}
