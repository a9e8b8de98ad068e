/**
 * Image file formats, recognised from their first bytes as the service's import does, and the
 * virtual disk size a file declares (the image's `min_disk` must hold it).
 */
export type DiskFormat = "qcow2" | "vhd" | "vmdk" | "iso" | "raw";

export interface DiskInfo {
  format: DiskFormat;
  /** Size of the virtual disk in bytes (for raw and iso: the file size). */
  virtualSize: number;
}

const GiB = 1024 ** 3;

export function inspectDisk(bytes: Uint8Array): DiskInfo {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 32 && buf.readUInt32BE(0) === 0x514649fb) {
    // "QFI\xfb": qcow2 header, virtual size at offset 24.
    return { format: "qcow2", virtualSize: Number(buf.readBigUInt64BE(24)) };
  }
  if (buf.length >= 512 && buf.subarray(buf.length - 512, buf.length - 504).toString("latin1") === "conectix") {
    // VHD footer (last 512 bytes); current size at offset 48 of the footer.
    return { format: "vhd", virtualSize: Number(buf.readBigUInt64BE(buf.length - 512 + 48)) };
  }
  if (buf.length >= 8 && buf.subarray(0, 8).toString("latin1") === "conectix") {
    return { format: "vhd", virtualSize: Number(buf.readBigUInt64BE(48)) };
  }
  if (buf.length >= 4 && buf.subarray(0, 4).toString("latin1") === "KDMV") {
    // VMDK sparse extent: capacity in 512-byte sectors at offset 12.
    return { format: "vmdk", virtualSize: Number(buf.readBigUInt64LE(12)) * 512 };
  }
  if (buf.length >= 0x8006 && buf.subarray(0x8001, 0x8006).toString("latin1") === "CD001") {
    return { format: "iso", virtualSize: buf.length };
  }
  return { format: "raw", virtualSize: buf.length };
}

/** A minimal valid qcow2 header declaring a virtual disk of `virtualGiB` GiB. */
export function makeQcow2(virtualGiB: number, payload = 4096): Buffer {
  const buf = Buffer.alloc(Math.max(104, payload));
  buf.writeUInt32BE(0x514649fb, 0); // magic
  buf.writeUInt32BE(3, 4); // version
  buf.writeUInt32BE(16, 20); // cluster bits
  buf.writeBigUInt64BE(BigInt(virtualGiB) * BigInt(GiB), 24);
  buf.writeUInt32BE(104, 100); // header length (v3)
  return buf;
}

/** A minimal fixed VHD (data followed by the 512-byte footer) declaring `virtualGiB` GiB. */
export function makeVhd(virtualGiB: number, payload = 4096): Buffer {
  const footer = Buffer.alloc(512);
  footer.write("conectix", 0, "latin1");
  footer.writeUInt32BE(2, 8); // features
  footer.writeUInt32BE(0x00010000, 12); // version
  footer.writeBigUInt64BE(BigInt(virtualGiB) * BigInt(GiB), 40); // original size
  footer.writeBigUInt64BE(BigInt(virtualGiB) * BigInt(GiB), 48); // current size
  footer.writeUInt32BE(2, 60); // disk type: fixed
  return Buffer.concat([Buffer.alloc(payload), footer]);
}

/**
 * A minimal VMDK hosted sparse extent header (the "KDMV" header of VMware's Virtual Disk Format
 * specification) declaring `virtualGiB` GiB, followed by an empty payload.
 */
export function makeVmdk(virtualGiB: number, payload = 4096): Buffer {
  const buf = Buffer.alloc(512 + payload);
  buf.write("KDMV", 0, "latin1"); // magic
  buf.writeUInt32LE(1, 4); // version
  buf.writeUInt32LE(1, 8); // flags: valid new-line detection
  buf.writeBigUInt64LE((BigInt(virtualGiB) * BigInt(GiB)) / 512n, 12); // capacity in sectors
  buf.writeBigUInt64LE(128n, 20); // grain size in sectors (64 KiB)
  buf.writeUInt32LE(512, 44); // grain table entries per grain table
  buf.write("\n \r\n", 73, "latin1"); // the line-ending characters a reader checks for corruption
  return buf;
}
