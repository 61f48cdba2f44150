#pragma once
// The few MPI calls sweep.cpp makes, as a table of C functions. They live in a plugin,
// libsnnsim_mpi.so (mpi_plugin.cpp, built beside the snnsim binary and linked to the MPI
// library), which snnsim loads only when an MPI launcher started it: a one-process run maps no
// MPI library at all, so its memory use and behaviour are exactly those of a build without MPI.
extern "C" {

struct snnsim_mpi_api {
  int version;  // kSnnsimMpiApiVersion
  // MPI_Init_thread(MPI_THREAD_FUNNELED) + rank/size of MPI_COMM_WORLD (errors fatal). 0 = ok.
  int (*init)(int* argc, char*** argv, int* rank, int* size);
  // MPI_Iprobe; source/tag -1 = any. Fills the message's source, tag and byte count when *flag.
  int (*probe)(int source, int tag, int* flag, int* msg_source, int* msg_tag, int* bytes);
  int (*recv)(void* buf, int bytes, int source, int tag);
  int (*send)(const void* buf, int bytes, int dest, int tag);
  void (*abort)(int code);
  void (*finalize)();
};

typedef const snnsim_mpi_api* (*snnsim_mpi_api_fn)();
}

constexpr int kSnnsimMpiApiVersion = 1;
constexpr const char* kSnnsimMpiPlugin = "libsnnsim_mpi.so";
constexpr const char* kSnnsimMpiEntry = "snnsim_mpi_api_v1";
