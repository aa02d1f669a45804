/* placeholder: being written */
typedef int hyper__placeholder_src_decode_decode_c;
