/* placeholder: being written */
typedef int hyper__placeholder_src_hdrs_hdrs_c;
