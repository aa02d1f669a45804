/* placeholder: being written */
typedef int hyper__placeholder_src_h1_write_c;
