/* placeholder: being written */
typedef int hyper__placeholder_src_io_socket_c;
