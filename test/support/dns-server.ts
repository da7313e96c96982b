// A tiny authoritative DNS server on loopback UDP for tests: answers CNAME questions from a map that the test
// changes as it goes; other names are NXDOMAIN, a known name asked for another type has no data. No outside
// resolver is ever asked.
import dgram from 'node:dgram';

export type TestDns = { port: number; records: Map<string, string>; close(): Promise<void> };

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** The question's name, type and where the question section ends. */
function readQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  let i = 12;
  const labels: string[] = [];
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += 1 + len;
  }
  if (i + 5 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, string>();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, peer) => {
    const q = readQuestion(msg);
    if (!q || msg.length < 12) return;
    const target = records.get(q.name);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    const answer = target !== undefined && q.type === 5;
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | (target === undefined ? 3 : 0), 2); // QR, AA, RD copied, NXDOMAIN?
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const parts: Buffer[] = [header, Buffer.from(msg.subarray(12, q.end))];
    if (answer) {
      const rdata = encodeName(target);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(5, 2); // CNAME
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      parts.push(rr, rdata);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, records, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
