"""
A small HTTP/1.1 server for the binding tests (the seed's HTTP/1.1 example
talked to a site answering with a deflate-encoded HTML page). Prints
'listening on 127.0.0.1:PORT' once it accepts connections.

  /              HTML, content-encoding: deflate, x-xss-protection first
  /chunked       three chunks with Transfer-Encoding: chunked
  anything else  404
"""
import http.server
import sys
import zlib

PAGE = (b'<!DOCTYPE html>\n<!--[if IE 8]><html class="ie8"><![endif]-->\n'
        b'<html><body>hyper HTTP/1.1 test page</body></html>\n')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == '/':
            body = zlib.compress(PAGE)
            self.send_response_only(200, 'OK')
            self.send_header('x-xss-protection', '1; mode=block')
            self.send_header('content-type', 'text/html;charset=utf-8')
            self.send_header('content-encoding', 'deflate')
            self.send_header('content-length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == '/chunked':
            self.send_response_only(200, 'OK')
            self.send_header('transfer-encoding', 'chunked')
            self.end_headers()
            for part in (b'first,', b'second,', b'third'):
                self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
            self.wfile.write(b'0\r\n\r\n')
        else:
            self.send_response_only(404, 'Not Found')
            self.send_header('content-length', '0')
            self.end_headers()


def main():
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    print('listening on 127.0.0.1:%d' % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())
