/* Linux headers that the Glibc module lacks (epoll, eventfd, signalfd, timerfd, getrandom, accept4). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <unistd.h>

/* accept4 is declared only under _GNU_SOURCE, and <sys/socket.h> is already owned by the
   SwiftGlibc module (compiled without it), so declare it here. */
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/* The epoll_data union is awkward from Swift; these keep the call sites plain. */
static inline struct epoll_event clinux_epoll_event(uint32_t events, uint64_t token) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = token;
    return ev;
}
static inline uint64_t clinux_epoll_token(const struct epoll_event *ev) { return ev->data.u64; }
