func.func @f() {
  %x = arith.constant : i32
}
