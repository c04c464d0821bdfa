func.func @wide(%x: memref<4xi128>) {
  return
}
