// Sockets of open files: see net_sockets.hpp.
#include "core/linux/net_sockets.hpp"

#include <arpa/inet.h>

#include <array>

#include "core/linux/files.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

Result<uint64_t> read_uint(Program& prog, std::string_view type, uint64_t addr, std::string_view member) {
  ASSIGN_OR_RETURN(const Type* t, prog.types().find_struct(type));
  ASSIGN_OR_RETURN(Object m, Object::at(prog, t, addr).member(member));
  return m.as_u64().context(std::string(type) + "." + std::string(member) + " at " + hex(addr));
}

// A __be16 port as read from memory (little-endian load) in host order.
unsigned port_of(uint64_t be16) { return ((be16 & 0xff) << 8) | ((be16 >> 8) & 0xff); }

std::string ipv4_of(uint64_t be32) {
  std::array<uint8_t, 4> a{static_cast<uint8_t>(be32), static_cast<uint8_t>(be32 >> 8),
                           static_cast<uint8_t>(be32 >> 16), static_cast<uint8_t>(be32 >> 24)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, a.data(), buf, sizeof buf);
  return buf;
}

Result<std::vector<uint16_t>> ipv6_groups(Program& prog, uint64_t addr) {
  std::array<uint8_t, 16> b{};
  TRY_VOID(prog.read(addr, b));
  std::vector<uint16_t> g(8);
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  return g;
}

Status read_inet(Program& prog, NetSocket& s) {
  ASSIGN_OR_RETURN(uint64_t sport, read_uint(prog, "inet_sock", s.sock, "inet_sport"));
  ASSIGN_OR_RETURN(uint64_t dport, read_uint(prog, "sock", s.sock, "__sk_common.skc_dport"));
  s.local_port = port_of(sport);
  s.remote_port = port_of(dport);
  if (s.family == AF_INET) {
    ASSIGN_OR_RETURN(uint64_t saddr, read_uint(prog, "sock", s.sock, "__sk_common.skc_rcv_saddr"));
    ASSIGN_OR_RETURN(uint64_t daddr, read_uint(prog, "sock", s.sock, "__sk_common.skc_daddr"));
    s.local_addr = ipv4_of(saddr);
    s.remote_addr = ipv4_of(daddr);
    return {};
  }
  ASSIGN_OR_RETURN(uint64_t src_off, prog.types().member_offset("sock", "__sk_common.skc_v6_rcv_saddr"));
  ASSIGN_OR_RETURN(uint64_t dst_off, prog.types().member_offset("sock", "__sk_common.skc_v6_daddr"));
  ASSIGN_OR_RETURN(s.local6, ipv6_groups(prog, s.sock + src_off));
  ASSIGN_OR_RETURN(s.remote6, ipv6_groups(prog, s.sock + dst_off));
  return {};
}

}  // namespace

Result<NetSocket> read_socket(Program& prog, const OpenFile& f) {
  NetSocket s;
  s.fd = f.fd;
  if (!f.inode) return fail(Errc::format, "fd " + std::to_string(f.fd) + " has no inode");
  // struct socket_alloc { struct socket socket; struct inode vfs_inode; }
  ASSIGN_OR_RETURN(uint64_t inode_off, prog.types().member_offset("socket_alloc", "vfs_inode"));
  ASSIGN_OR_RETURN(uint64_t socket_off, prog.types().member_offset("socket_alloc", "socket"));
  s.socket = f.inode - inode_off + socket_off;
  ASSIGN_OR_RETURN(s.ino, read_uint(prog, "inode", f.inode, "i_ino"));
  ASSIGN_OR_RETURN(s.sock, read_uint(prog, "socket", s.socket, "sk"));
  if (!s.sock) return s;
  ASSIGN_OR_RETURN(uint64_t family, read_uint(prog, "sock", s.sock, "__sk_common.skc_family"));
  ASSIGN_OR_RETURN(uint64_t type, read_uint(prog, "sock", s.sock, "sk_type"));
  ASSIGN_OR_RETURN(uint64_t state, read_uint(prog, "sock", s.sock, "__sk_common.skc_state"));
  s.family = static_cast<unsigned>(family);
  s.type = static_cast<unsigned>(type);
  s.state = static_cast<unsigned>(state);
  if (s.family == AF_INET || s.family == AF_INET6) {
    if (auto st = read_inet(prog, s); !st) s.error = st.error().to_string();
  }
  return s;
}

std::string socket_family_name(unsigned family) {
  switch (family) {
    case 0: return "UNSPEC";
    case 1: return "UNIX";
    case 2: return "INET";
    case 3: return "AX25";
    case 4: return "IPX";
    case 5: return "APPLETALK";
    case 6: return "NETROM";
    case 7: return "BRIDGE";
    case 8: return "ATMPVC";
    case 9: return "X25";
    case 10: return "INET6";
    case 11: return "ROSE";
    case 12: return "DECnet";
    case 13: return "NETBEUI";
    case 14: return "SECURITY/KEY";
    case 16: return "NETLINK/ROUTE";
    case 17: return "PACKET";
    case 18: return "ASH";
    case 19: return "ECONET";
    case 20: return "ATMSVC";
    case 22: return "SNA";
    case 23: return "IRDA";
    case 24: return "PPPOX";
    default: return std::to_string(family);
  }
}

std::string socket_type_name(unsigned type) {
  switch (type) {
    case 1: return "STREAM";
    case 2: return "DGRAM ";
    case 3: return "RAW";
    case 4: return "RDM";
    case 5: return "SEQPACKET";
    case 10: return "PACKET";
    default: return std::to_string(type);
  }
}

}  // namespace kinspect
