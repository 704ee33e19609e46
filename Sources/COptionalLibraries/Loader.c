#include "COptionalLibraries.h"
#include "SymbolTable.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lifeline_load_lock = PTHREAD_MUTEX_INITIALIZER;

static struct lifeline_symbol_table *lifeline_table(lifeline_library library) {
    switch (library) {
    case lifeline_library_curl: return &lifeline_curl_table;
    case lifeline_library_pq: return &lifeline_pq_table;
    case lifeline_library_openssl: return &lifeline_openssl_table;
    }
    return NULL;
}

static bool lifeline_table_loaded(struct lifeline_symbol_table *table) {
    // The last address is published last, so it represents the whole table.
    return __atomic_load_n(&table->addresses[table->count - 1], __ATOMIC_ACQUIRE) != NULL;
}

bool lifeline_library_is_loaded(lifeline_library library) {
    struct lifeline_symbol_table *table = lifeline_table(library);
    return table != NULL && lifeline_table_loaded(table);
}

static void lifeline_close_all(void **handles, size_t count) {
    for (size_t index = 0; index < count; index++) {
        if (handles[index] != NULL) dlclose(handles[index]);
    }
}

bool lifeline_library_load(lifeline_library library, const char *const *files, size_t file_count, bool install,
                           char *error, size_t error_size) {
    struct lifeline_symbol_table *table = lifeline_table(library);
    if (table == NULL || file_count == 0 || file_count > 4) {
        snprintf(error, error_size, "no such library (%d) or no file to open", (int)library);
        return false;
    }
    if (install && lifeline_table_loaded(table)) return true;

    pthread_mutex_lock(&lifeline_load_lock);
    bool loaded = install && lifeline_table_loaded(table);
    bool resolved = false;
    void *handles[4] = {NULL, NULL, NULL, NULL};
    void **found = NULL;
    if (!loaded) {
        size_t opened = 0;
        for (; opened < file_count; opened++) {
            handles[opened] = dlopen(files[opened], RTLD_NOW | RTLD_LOCAL);
            if (handles[opened] == NULL) {
                const char *reason = dlerror();
                snprintf(error, error_size, "%s", reason != NULL ? reason : files[opened]);
                break;
            }
        }
        if (opened == file_count) {
            found = calloc(table->count, sizeof(void *));
            if (found == NULL) snprintf(error, error_size, "out of memory");
        }
        size_t missing = table->count;
        for (size_t index = 0; found != NULL && index < table->count; index++) {
            for (size_t handle = 0; handle < file_count && found[index] == NULL; handle++) {
                found[index] = dlsym(handles[handle], table->names[index]);
            }
            if (found[index] == NULL) {
                missing = index;
                break;
            }
        }
        if (found != NULL && missing < table->count) {
            snprintf(error, error_size, "%s has no function %s (too old a version?)", files[0],
                     table->names[missing]);
        } else if (found != NULL) {
            resolved = true;
        }
        if (resolved && install) {
            // Every address before the last, then the last: readers test the last one.
            for (size_t index = 0; index < table->count; index++) {
                __atomic_store_n(&table->addresses[index], found[index], __ATOMIC_RELEASE);
            }
        } else {
            // An installed library stays mapped for the life of the process. Nothing else stays open.
            lifeline_close_all(handles, file_count);
        }
        free(found);
    }
    pthread_mutex_unlock(&lifeline_load_lock);
    return loaded || resolved;
}

void *lifeline_symbol(struct lifeline_symbol_table *table, size_t index) {
    void *address = __atomic_load_n(&table->addresses[index], __ATOMIC_ACQUIRE);
    if (address == NULL) {
        fprintf(stderr,
                "lifeline: %s was called before %s was loaded; the feature that calls it must load "
                "the library first (package %s). Stopping.\n",
                table->names[index], table->library_file, table->debian_package);
        abort();
    }
    return address;
}
