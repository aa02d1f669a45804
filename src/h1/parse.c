/* placeholder: being written */
typedef int hyper__placeholder_src_h1_parse_c;
