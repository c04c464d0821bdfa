func.func @negative(%x: memref<1x-64xbf16>) {
  return
}
