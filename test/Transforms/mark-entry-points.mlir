// RUN: qopt %s -qt-mark-entry-points -split-input-file -verify-diagnostics | FileCheck %s

// Public functions are recorded with their tensor types, and their inputs
// become read-only for bufferization; private ones are left alone.
// CHECK: module attributes {qt.entry_points = [{inputs = [tensor<1x64xf32>, tensor<4xi8>], name = "main", outputs = [tensor<1x10xf32>]}]}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<1x64xf32> {bufferization.writable = false}, %{{.*}}: tensor<4xi8> {bufferization.writable = false})
func.func @main(%x: tensor<1x64xf32>, %y: tensor<4xi8>) -> tensor<1x10xf32> {
  %0 = call @helper(%x) : (tensor<1x64xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%{{.*}}: tensor<1x64xf32>)
func.func private @helper(%x: tensor<1x64xf32>) -> tensor<1x10xf32> {
  %0 = tensor.extract_slice %x[0, 0] [1, 10] [1, 1] : tensor<1x64xf32> to tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// -----

// A dynamic shape has no plain C interface.
// expected-error @+1 {{entry point 'dynamic' has no plain C interface: 'tensor<?x64xf32>' is not a statically shaped tensor of integers or floats}}
func.func @dynamic(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  return %x : tensor<?x64xf32>
}

// -----

// Neither has a scalar.
// expected-error @+1 {{entry point 'scalar' has no plain C interface: 'f32' is not a statically shaped tensor of integers or floats}}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}

// -----

// A buffer whose byte count does not fit in 63 bits: the header could not
// state it and no caller could allocate it.
// expected-error @+1 {{entry point 'huge' has a buffer 'tensor<4294967296x4294967296xf32>' of more than 2^63 bytes}}
func.func @huge(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  return %x : tensor<4294967296x4294967296xf32>
}
