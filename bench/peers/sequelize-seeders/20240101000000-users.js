'use strict';
// W6 of bench/run.sh: sequelize-cli `db:seed:all` loading BENCH_ROWS users with one
// bulkInsert, the rows dbtool's inline YAML seed of the same case holds.
module.exports = {
  async up(queryInterface) {
    const count = Number(process.env.BENCH_ROWS || 100000);
    const rows = [];
    for (let i = 1; i <= count; i++) {
      rows.push({
        name: `User ${i}`,
        email: `user${i}@example.com`,
        age: 18 + (i % 70),
        active: i % 3 !== 0,
        created_at: new Date(Date.UTC(2024, 0, 1 + (i % 28), 10)),
      });
    }
    await queryInterface.bulkInsert('users', rows);
  },
  async down(queryInterface) {
    await queryInterface.bulkDelete('users', null, {});
  },
};
