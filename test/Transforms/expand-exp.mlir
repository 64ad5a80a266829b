// RUN: qopt %s -qt-expand-exp | FileCheck %s

// f32 exp becomes glibc's expf arithmetic: one private constant table of
// 32 entries for the module, double-precision steps with math.fma, the
// special cases as selects. f64 exp is left alone.
// CHECK: memref.global "private" constant @__qt_expf_table : memref<32xi64> = dense<[4607182418800017408,
// CHECK-SAME: alignment = 64
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp {{.*}} : f32
// CHECK: %[[XD:.*]] = arith.extf %[[X:.*]] : f32 to f64
// CHECK: %[[Z:.*]] = arith.mulf %{{.*}}, %[[XD]] : f64
// CHECK: %[[KS:.*]] = arith.addf %[[Z]], %{{.*}} : f64
// CHECK: %[[KI:.*]] = arith.bitcast %[[KS]] : f64 to i64
// CHECK: %[[KD:.*]] = arith.subf %[[KS]], %{{.*}} : f64
// CHECK: %[[NKD:.*]] = arith.negf %[[KD]] : f64
// CHECK: %[[R:.*]] = math.fma %{{.*}}, %[[XD]], %[[NKD]] : f64
// CHECK: %[[TABLE:.*]] = memref.get_global @__qt_expf_table : memref<32xi64>
// CHECK: memref.load %[[TABLE]]
// CHECK-COUNT-3: math.fma
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK-COUNT-3: arith.select
// CHECK: math.exp %{{.*}} : f64
func.func @f(%x: f32, %d: f64) -> (f32, f32, f64) {
  %a = math.exp %x : f32
  %b = math.exp %a : f32
  %c = math.exp %d : f64
  return %a, %b, %c : f32, f32, f64
}
