// RUN: qopt %s --qt-lower-amx-stream-loads | FileCheck %s

// A tile load marked qt.stream becomes tileloaddt1 with upstream's operands
// (rows, bytes per row, address, stride in bytes); unmarked loads and the
// other amx ops are left to convert-vector-to-llvm{enable-amx}.

// CHECK-LABEL: func.func @streamed
// CHECK: %[[P:.*]] = llvm.getelementptr
// CHECK: llvm.call_intrinsic "llvm.x86.tileloaddt164.internal"(%{{.*}}, %{{.*}}, %[[P]], %{{.*}}) : (i16, i16, !llvm.ptr, i64) -> !llvm.x86_amx
// CHECK-NOT: qt.stream
// CHECK: amx.tile_load %{{.*}} : memref<4x16x64xi8> into !amx.tile<16x64xi8>
// CHECK: amx.tile_muli
// CHECK-NOT: tileloaddt1
func.func @streamed(%w: memref<4x16x64xi8>, %x: memref<4x16x64xi8>, %i: index,
                    %out: memref<16x16xi32>) {
  %c0 = arith.constant 0 : index
  %b = amx.tile_load %w[%i, %c0, %c0] {qt.stream} : memref<4x16x64xi8> into !amx.tile<16x64xi8>
  %a = amx.tile_load %x[%i, %c0, %c0] : memref<4x16x64xi8> into !amx.tile<16x64xi8>
  %z = amx.tile_zero : !amx.tile<16x16xi32>
  %c = amx.tile_muli %a, %b, %z : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
  amx.tile_store %out[%c0, %c0], %c : memref<16x16xi32>, !amx.tile<16x16xi32>
  return
}

// Nothing marked: the function is left as it is.
// CHECK-LABEL: func.func @plain
// CHECK-NOT: llvm.call_intrinsic
// CHECK: amx.tile_load
func.func @plain(%x: memref<16x64xi8>) -> !amx.tile<16x64xi8> {
  %c0 = arith.constant 0 : index
  %a = amx.tile_load %x[%c0, %c0] : memref<16x64xi8> into !amx.tile<16x64xi8>
  return %a : !amx.tile<16x64xi8>
}
