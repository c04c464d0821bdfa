func.func @f() {
  "tile.nosuch"() : () -> ()
  func.return
}
