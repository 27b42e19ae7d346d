"""How the build starts the chapters' kernels: forked from one warm process (szhk_kernels.zygote) by a jupyter_client
provisioner (szhk_kernels.provisioner) instead of a new Python each, which saves the imports every kernel repeats."""
