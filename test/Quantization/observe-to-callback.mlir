// RUN: qopt %s --qt-observe-to-callback | FileCheck %s

// Each qt.observe becomes a call of the host's collector with the probe's
// id, the address and offset of a read-only view of the value and its
// element count; the probe's uses read the value itself. The view is marked
// qt.probe, which lets qt-fuse-elementwise fuse the producer beside it.
// CHECK: func.func private @__qt_observe(i64, i64, i64, i64)
// CHECK-LABEL: func.func @two_probes
// CHECK: %[[B:.*]] = bufferization.to_buffer %[[X:.*]] read_only {qt.probe} : tensor<1x32xf32> to memref<1x32xf32, strided<[?, ?], offset: ?>>
// CHECK: %{{.*}}, %[[OFF:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[B]]
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: %[[ID7:.*]] = arith.constant 7 : i64
// CHECK: %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK: %[[OFF64:.*]] = arith.index_cast %[[OFF]] : index to i64
// CHECK: %[[N:.*]] = arith.constant 32 : i64
// CHECK: call @__qt_observe(%[[ID7]], %[[P64]], %[[OFF64]], %[[N]])
// CHECK: %[[Y:.*]] = tosa.clamp %[[X]]
// CHECK: bufferization.to_buffer %[[Y]] read_only {qt.probe}
// CHECK: arith.constant 8 : i64
// CHECK: call @__qt_observe
// CHECK: return %[[Y]]
// CHECK-NOT: qt.observe
func.func @two_probes(%x: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %p = qt.observe %x {id = 7 : i64} : tensor<1x32xf32>
  %y = tosa.clamp %p {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x32xf32>) -> tensor<1x32xf32>
  %q = qt.observe %y {id = 8 : i64} : tensor<1x32xf32>
  return %q : tensor<1x32xf32>
}
