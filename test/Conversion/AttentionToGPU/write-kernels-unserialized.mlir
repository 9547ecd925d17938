// RUN: rm -rf %t && fa2-opt %s --verify-diagnostics --fa2-write-kernels="dir=%t" -o /dev/null

// A manifest whose kernel was not serialized has no file to name.
// expected-error @below {{fa2-write-kernels: the manifest of kernel 'attn' has no gpu.binary to name (run gpu-module-to-binary first)}}
module attributes {gpu.container_module, fa2.manifests = {attn = {kernel = "attn"}}} {
  gpu.module @attn {
  }
}
