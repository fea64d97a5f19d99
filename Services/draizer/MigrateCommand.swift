import ArgumentParser
import PostgresStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending migrations/NNNN_name.sql files to PostgreSQL.")

    @Option(help: "PostgreSQL URL (default: env DATABASE_URL, then libpq's PG* variables).")
    var databaseURL: String?

    @Option(help: "Directory of migration files.")
    var migrations: String = "migrations"

    func run() throws {
        let configuration = try PostgresConfiguration(connectionString: databaseURL ?? Environment.value("DATABASE_URL") ?? "")
        let connection = try PostgresConnection(configuration: configuration)
        let applied = try MigrationRunner(directory: migrations).migrate(connection)
        if applied.isEmpty {
            print("schema up to date")
        }
        for migration in applied {
            print("applied \(migration.fileName)")
        }
    }
}
