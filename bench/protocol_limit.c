/*
 * The protocol limit of `migrate up` (bench/run.sh, W1): one connection, and for each
 * migration one simple-protocol query holding
 *
 *     BEGIN; <its up section>; INSERT INTO schema_migrations ...; COMMIT;
 *
 * so a migration costs exactly one round trip and the server's own work. No checksums, no
 * lock, no error positions: the floor a migration tool can approach, not a tool.
 *
 *   protocol_limit URL MIGRATIONS_DIR
 *
 * Reads VERSION_NAME.sql files with `-- migrate:up` / `-- migrate:down` sections, in name
 * order. Built by bench/run.sh with the system's libpq; never part of dbtool.
 */
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sqlFile(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0;
}

static char *readAll(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size) {
        perror(path);
        exit(2);
    }
    text[size] = '\0';
    fclose(f);
    return text;
}

static void run(PGconn *conn, const char *sql) {
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "protocol_limit: %s", PQerrorMessage(conn));
        exit(1);
    }
    PQclear(r);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: protocol_limit URL MIGRATIONS_DIR\n");
        return 2;
    }
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "protocol_limit: %s", PQerrorMessage(conn));
        return 1;
    }
    run(conn,
        "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY, name text, "
        "checksum text, applied_at timestamptz DEFAULT clock_timestamp(), execution_ms bigint)");
    struct dirent **files;
    int count = scandir(argv[2], &files, sqlFile, alphasort);
    if (count < 0) {
        perror(argv[2]);
        return 2;
    }
    for (int i = 0; i < count; ++i) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], files[i]->d_name);
        char *text = readAll(path);
        char *up = strstr(text, "-- migrate:up");
        char *down = strstr(text, "-- migrate:down");
        if (!up) {
            fprintf(stderr, "protocol_limit: %s has no up section\n", path);
            return 2;
        }
        up += strlen("-- migrate:up");
        if (down) {
            *down = '\0';
        }
        /* VERSION_NAME.sql: digits and letters only in the bench's names, no quoting needed */
        char version[256], name[256];
        const char *underscore = strchr(files[i]->d_name, '_');
        size_t vlen = (size_t)(underscore - files[i]->d_name);
        snprintf(version, sizeof version, "%.*s", (int)vlen, files[i]->d_name);
        snprintf(name, sizeof name, "%.*s", (int)(strlen(underscore + 1) - 4), underscore + 1);
        size_t size = strlen(up) + 512;
        char *query = malloc(size);
        snprintf(query, size,
                 "BEGIN;\n%s\nINSERT INTO schema_migrations (version, name) VALUES ('%s', '%s');\n"
                 "COMMIT;",
                 up, version, name);
        run(conn, query);
        free(query);
        free(text);
        free(files[i]);
    }
    free(files);
    PQfinish(conn);
    return 0;
}
