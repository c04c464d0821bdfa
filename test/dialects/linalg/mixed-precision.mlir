// Mixed-precision linalg.matmul in upstream syntax: bf16 or f16 inputs, f32
// output.  xDSL 0.75 alone builds `arith.addf(bf16, f32)` for these and fails to
// verify (so the first RUN line is the regression test of the fix); qkv-opt builds
// upstream's body (extf, extf, mulf, addf(out, product)) and prints the custom form
// back, which reads again.
// RUN: qkv-opt %s | qkv-opt | filecheck %s
// RUN: qkv-opt %s --print-op-generic | filecheck %s --check-prefix=BODY
// RUN: qkv-opt %s --print-op-generic | qkv-opt | filecheck %s

// CHECK-LABEL: func.func @bf16_in_f32_out
// CHECK: linalg.matmul ins(%x, %w : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%y : memref<1x1024xf32>)
// BODY-LABEL: sym_name = "bf16_in_f32_out"
// BODY: ^bb0(%[[A:.*]]: bf16, %[[B:.*]]: bf16, %[[C:.*]]: f32):
// BODY-NEXT: %[[EA:.*]] = "arith.extf"(%[[A]]) : (bf16) -> f32
// BODY-NEXT: %[[EB:.*]] = "arith.extf"(%[[B]]) : (bf16) -> f32
// BODY-NEXT: %[[M:.*]] = "arith.mulf"(%[[EA]], %[[EB]]) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32
// BODY-NEXT: %[[S:.*]] = "arith.addf"(%[[C]], %[[M]]) <{fastmath = #arith.fastmath<none>}> : (f32, f32) -> f32
// BODY-NEXT: "linalg.yield"(%[[S]]) : (f32) -> ()
func.func @bf16_in_f32_out(%x: memref<1x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%y : memref<1x1024xf32>)
  return
}

// CHECK-LABEL: func.func @f16_in_f32_out
// CHECK: linalg.matmul ins(%x, %w : memref<16x4096xf16>, memref<4096x1024xf16>) outs(%y : memref<16x1024xf32>)
// BODY-LABEL: sym_name = "f16_in_f32_out"
// BODY: "arith.extf"(%{{.*}}) : (f16) -> f32
// BODY: "arith.extf"(%{{.*}}) : (f16) -> f32
func.func @f16_in_f32_out(%x: memref<16x4096xf16>, %w: memref<4096x1024xf16>, %y: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<16x4096xf16>, memref<4096x1024xf16>) outs(%y : memref<16x1024xf32>)
  return
}

// Same element types keep xDSL's own body (no conversion).
// CHECK-LABEL: func.func @f32_only
// BODY-LABEL: sym_name = "f32_only"
// BODY-NOT: arith.extf
// BODY: "arith.mulf"
// BODY: "linalg.yield"
func.func @f32_only(%x: memref<2x64xf32>, %w: memref<64x32xf32>, %y: memref<2x32xf32>) {
  linalg.matmul ins(%x, %w : memref<2x64xf32>, memref<64x32xf32>) outs(%y : memref<2x32xf32>)
  return
}

// Integer inputs widen with arith.extsi, as upstream's cast_signed does.
// BODY-LABEL: sym_name = "i8_in_i32_out"
// BODY: "arith.extsi"(%{{.*}}) : (i8) -> i32
// BODY: "arith.muli"
// BODY: "arith.addi"
func.func @i8_in_i32_out(%x: memref<16x64xi8>, %w: memref<64x32xi8>, %y: memref<16x32xi32>) {
  linalg.matmul ins(%x, %w : memref<16x64xi8>, memref<64x32xi8>) outs(%y : memref<16x32xi32>)
  return
}
