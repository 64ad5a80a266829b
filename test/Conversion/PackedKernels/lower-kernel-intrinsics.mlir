// RUN: qopt %s --qt-lower-kernel-intrinsics | FileCheck %s

// Each qt kernel op becomes the LLVM intrinsic of its instruction, with the
// operands in the intrinsic's order (accumulator first) and the width
// chosen by the vector type.
// CHECK-LABEL: func.func @x86
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"(%{{.*}}, %{{.*}}) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// CHECK-NOT: qt.x86_
func.func @x86(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>,
               %acc8: vector<8xi32>, %a32: vector<32xi8>, %w16: vector<16xi16>)
    -> (vector<16xi32>, vector<8xi32>, vector<8xi32>, vector<64xi8>, vector<32xi8>) {
  %r = qt.x86_vpdpbusd %acc, %a, %b : vector<16xi32>, vector<64xi8>, vector<64xi8> -> vector<16xi32>
  %d = qt.x86_vpdpbusd %acc8, %a32, %a32 : vector<8xi32>, vector<32xi8>, vector<32xi8> -> vector<8xi32>
  %p = qt.x86_vpmaddwd %w16, %w16 : vector<16xi16>, vector<16xi16> -> vector<8xi32>
  %s = qt.x86_pshufb %a, %b : vector<64xi8>
  %t = qt.x86_pshufb %a32, %a32 : vector<32xi8>
  return %r, %d, %p, %s, %t : vector<16xi32>, vector<8xi32>, vector<8xi32>, vector<64xi8>, vector<32xi8>
}

// CHECK-LABEL: func.func @arm
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.smmla.v4i32.v16i8"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.tbl4.v16i8"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi8>, vector<16xi8>, vector<16xi8>, vector<16xi8>, vector<16xi8>) -> vector<16xi8>
// CHECK-NOT: qt.arm_
func.func @arm(%acc: vector<4xi32>, %a: vector<16xi8>, %b: vector<16xi8>)
    -> (vector<4xi32>, vector<4xi32>, vector<16xi8>) {
  %s = qt.arm_sdot %acc, %a, %b : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  %m = qt.arm_smmla %acc, %a, %b : vector<4xi32>, vector<16xi8>, vector<16xi8> -> vector<4xi32>
  %t = qt.arm_tbl4 %a, %b, %a, %b, %a : vector<16xi8>
  return %s, %m, %t : vector<4xi32>, vector<4xi32>, vector<16xi8>
}
