/* placeholder: being written */
typedef int hyper__placeholder_huffman;
