// libsnnsim_mpi.so: the MPI calls of sweep.cpp (see mpi_api.hpp), through MPI's C API.
// The C API rather than Boost.MPI: eight calls, no Boost.Serialization ABI to match.
#define OMPI_SKIP_MPICXX 1  // the C API only: the deprecated C++ bindings need libmpi_cxx
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include "mpi_api.hpp"

namespace {

int init(int* argc, char*** argv, int* rank, int* size) {
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);  // a failed call ends the job, never hangs it
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 0;
}

int probe(int source, int tag, int* flag, int* msg_source, int* msg_tag, int* bytes) {
  MPI_Status st;
  MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag, MPI_COMM_WORLD, flag, &st);
  if (*flag) {
    *msg_source = st.MPI_SOURCE;
    *msg_tag = st.MPI_TAG;
    MPI_Get_count(&st, MPI_BYTE, bytes);
  }
  return 0;
}

int recv(void* buf, int bytes, int source, int tag) {
  return MPI_Recv(buf, bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

int send(const void* buf, int bytes, int dest, int tag) {
  return MPI_Send(buf, bytes, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

void abort_job(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
void finalize() { MPI_Finalize(); }

}  // namespace

extern "C" __attribute__((visibility("default"))) const snnsim_mpi_api* snnsim_mpi_api_v1() {
  static const snnsim_mpi_api api{kSnnsimMpiApiVersion, init, probe, recv, send, abort_job, finalize};
  return &api;
}
