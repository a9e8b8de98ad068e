/**
 * The OS versions the emulated region supports (`GET /v1/cloudimages/os_version`), and what an
 * `os_version` string implies for `__platform`, `__os_type` and `__os_bit` (IMS API Reference: the
 * OS version query, ims_03_0610, and Values of Related Parameters).
 */
export interface OsVersion {
  platform: string;
  osVersion: string;
  osType: "Linux" | "Windows" | "Other";
  osBit: 32 | 64;
  /** The E9 `tag` values this version carries (`uefi`, `bms`, `arm`, `x86`). */
  tags: readonly string[];
}

const linux = (platform: string, versions: string[], tags: string[] = ["x86"]): OsVersion[] =>
  versions.map((osVersion) => ({
    platform,
    osVersion,
    osType: "Linux" as const,
    osBit: osVersion.endsWith("32bit") ? (32 as const) : (64 as const),
    tags,
  }));

export const OS_VERSIONS: readonly OsVersion[] = [
  ...linux("Ubuntu", ["Ubuntu 24.04 server 64bit", "Ubuntu 22.04 server 64bit", "Ubuntu 20.04 server 64bit"], [
    "x86",
    "uefi",
    "bms",
  ]),
  ...linux("Ubuntu", ["Ubuntu 18.04 server 64bit", "Ubuntu 16.04 server 64bit", "Ubuntu 14.04 server 32bit"]),
  ...linux("CentOS", ["CentOS 8.0 64bit", "CentOS 7.9 64bit", "CentOS 7.7 64bit", "CentOS 7.3 64bit", "CentOS 7.0 64bit"]),
  ...linux("CentOS", ["CentOS 7.0 32bit", "CentOS 6.10 64bit"]),
  ...linux("Debian", ["Debian GNU/Linux 12.0.0 64bit", "Debian GNU/Linux 11.0.0 64bit", "Debian GNU/Linux 10.0.0 64bit"], [
    "x86",
    "uefi",
  ]),
  ...linux("EulerOS", ["EulerOS 2.9 64bit", "EulerOS 2.5 64bit"], ["x86", "arm", "uefi"]),
  ...linux("Huawei Cloud EulerOS", ["Huawei Cloud EulerOS 2.0 64bit"], ["x86", "arm", "uefi", "bms"]),
  ...linux("openEuler", ["openEuler 22.03 64bit", "openEuler 20.03 64bit"], ["x86", "arm", "uefi"]),
  ...linux("SUSE", ["SUSE Linux Enterprise Server 15 SP1 64bit", "SUSE Linux Enterprise Server 12 SP5 64bit"]),
  ...linux("RedHat", ["Redhat Linux Enterprise 8.0 64bit", "Redhat Linux Enterprise 7.5 64bit"]),
  ...linux("Oracle Linux", ["Oracle Linux Server release 7.6 64bit"]),
  ...linux("Fedora", ["Fedora 30 64bit"]),
  ...linux("OpenSUSE", ["openSUSE 15.1 64bit"]),
  ...linux("CoreOS", ["CoreOS 1298.6.0"]),
  ...["Windows Server 2022 Datacenter 64bit", "Windows Server 2019 Datacenter 64bit", "Windows Server 2016 Standard 64bit"].map(
    (osVersion): OsVersion => ({ platform: "Windows", osVersion, osType: "Windows", osBit: 64, tags: ["x86", "uefi"] }),
  ),
  { platform: "Other", osVersion: "Other Linux(64 bit)", osType: "Linux", osBit: 64, tags: ["x86"] },
];

const BY_VERSION = new Map(OS_VERSIONS.map((v) => [v.osVersion, v]));

/** The table entry for an `os_version` string, or undefined when the region does not know it. */
export const findOsVersion = (osVersion: string): OsVersion | undefined => BY_VERSION.get(osVersion);

/** The default OS of metadata-created images (`POST /v2/images` without `__os_version`). */
export const DEFAULT_OS_VERSION = "Other Linux(64 bit)";
