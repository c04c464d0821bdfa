func.func @f() {
  // expected-error @below {{never happens}}
  func.return
}
